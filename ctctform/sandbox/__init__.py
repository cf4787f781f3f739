"""A local, in-memory Constant Contact v3 API server for demos, offline use and tests.

from ctctform.sandbox import Sandbox, Faults

with Sandbox(port=0, seed={"lists": [{"name": "Newsletter"}]}) as sb:
    sb.base_url   # http://127.0.0.1:PORT/v3, bearer token "sandbox"
"""

from .clock import Clock
from .device import DeviceSettings
from .faultrules import FaultRule
from .faults import Faults, parse_faults
from .messages import ApiRequest, ApiResponse
from .requestlog import RequestRecord
from .seed_common import SeedError
from .server import Sandbox
from .store import AccountStore, StoreSettings
from .wire import RawResponse

__all__ = [
    "AccountStore",
    "ApiRequest",
    "ApiResponse",
    "Clock",
    "DeviceSettings",
    "FaultRule",
    "Faults",
    "RawResponse",
    "RequestRecord",
    "Sandbox",
    "SeedError",
    "StoreSettings",
    "parse_faults",
]
