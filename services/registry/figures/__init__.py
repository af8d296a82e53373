"""A school's figures per school year (pupils, classes, teachers), as its returns report them."""
