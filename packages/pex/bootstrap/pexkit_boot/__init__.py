"""pexkit runtime, stage 2 (imported by __main__.py on a cold start). Standard library only."""
