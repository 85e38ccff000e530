"""Steady's locale formats, over Django's own (settings.FORMAT_MODULE_PATH):
only what differs from them."""
