"""The v2 API of the fake (``/v2/...``): envelope, cursor pages, handlers."""
