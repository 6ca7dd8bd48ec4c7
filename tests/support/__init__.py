"""Test support: databases, factories, the end-to-end bot harness."""
