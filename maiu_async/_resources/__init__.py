"""
One thin typed method per endpoint; strictly private.
"""
