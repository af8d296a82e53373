"""Registration of teachers and pupils by their schools: window, capacity, waiting list, withdrawal."""
