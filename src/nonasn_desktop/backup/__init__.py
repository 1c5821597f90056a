"""Backups of a data folder: archives, verification, restore and the daily automatic backup."""
