"""Tests of scoring/importer."""
