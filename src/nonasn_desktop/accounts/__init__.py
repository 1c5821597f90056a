"""The clerks who use the application: accounts, roles, passwords and sign-in."""
