"""The incidents service's background loops, one module each: a function that builds the periodic job."""
