"""ctctform: infrastructure-as-code for Constant Contact accounts."""

__version__ = "0.2.0"
