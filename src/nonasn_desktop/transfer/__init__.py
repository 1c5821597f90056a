"""Transfer files: a field laptop's work handed back to the office (see docs/offices.md).

``export`` writes them on the laptop, ``verify`` checks one at the office layer by layer,
``merge`` loads it into the office database in one transaction, ``returns`` carries records
sent back for correction to the laptop that made them.
"""
