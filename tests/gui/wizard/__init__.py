"""Wizard tests, a package so that their conftest does not shadow ``from conftest import``."""
