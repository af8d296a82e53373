"""Attachments of a notice: PDF, DOCX and XLSX files, stored by their SHA-256."""
