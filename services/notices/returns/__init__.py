"""Returns (báo cáo định kỳ): forms as data, submissions with versions, reporting rates and exports."""
