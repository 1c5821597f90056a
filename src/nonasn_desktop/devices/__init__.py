"""Field laptops (perangkat lapangan): enrolment at the office, set-up and refresh on the laptop.

See docs/offices.md. ``registry`` is the office's side (the ``device`` table, enrolment and
refresh files, revocation); ``field`` the laptop's (``init --enrollment``, applying a
refresh, its sealed signing key); ``values`` checks every value that arrives in a file from the
other side against the database column it is meant for.
"""
