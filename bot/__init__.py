"""The «500+» coordination bot."""
