"""Importing this package registers every calculator."""

from . import cit, deed, env, iit, land_use, lat, property, stamp, surcharges, vat, vehicle

__all__ = ["cit", "deed", "env", "iit", "land_use", "lat", "property", "stamp", "surcharges", "vat", "vehicle"]
