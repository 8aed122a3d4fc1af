"""PDF: layout with WeasyPrint in its sandbox, binding, the layout cache, attachments,
signatures and verify."""
