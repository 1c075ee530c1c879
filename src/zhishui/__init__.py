"""智税 zhishui — smart tax administration platform for a district tax bureau."""

__version__ = "0.1.0"
