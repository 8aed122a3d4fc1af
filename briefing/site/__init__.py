"""The site: the build in named stages, publishing build/, the data export, releases and the
preview server."""
