"""Return forms as data: sections and typed fields with units and bounds; the start-of-year form ships."""
