"""Date and number formats per language (settings.FORMAT_MODULE_PATH).

Only what differs from Django's own formats is here; Django's fill the rest.
"""
