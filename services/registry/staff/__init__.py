"""Staff: principals, teachers, core principals and teachers, Department officials, commune officers."""
