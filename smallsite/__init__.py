"""smallsite: a static site generator for multilingual campaign sites."""

__version__ = "0.1.0"
