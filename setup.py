"""Package list for setuptools; everything else is in pyproject.toml.

setuptools cannot combine automatic package discovery under src/ with the two folders that
live at the top of the repository (forms/, resources/) and are installed as sub-packages of
nonasn_desktop, so the list is built here.
"""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages("src"),
        "nonasn_desktop.forms",
        "nonasn_desktop.resources",
    ],
)
