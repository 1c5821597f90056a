"""Wizard tests, a package so that their conftest.py never stands in for the root one."""
