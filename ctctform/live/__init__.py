"""The live account: what a plan is made against.

`LiveReader` reads the collections of the kinds in scope (in parallel), then the details of
the resources that need one (segments' criteria), with a local cache of details keyed by
id and edit time. Everything read has passed the kinds' answer checks (kinds/answers.py).
"""

from ctctform.live.cache import DetailCache
from ctctform.live.reader import LiveReader
from ctctform.live.state import KindState, LiveState

__all__ = ["DetailCache", "KindState", "LiveReader", "LiveState"]
