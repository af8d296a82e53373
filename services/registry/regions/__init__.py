"""Core-principal regions: 5 to 10 schools led by a core principal, with "locomotive" schools among them.

Above staff (a region names its core principal); the table is in schools/, which a school's region needs.
"""
