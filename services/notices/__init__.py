"""The notices service: the Department's official correspondence to schools and communes, and returns."""
