"""Building the LUML Notebooks static site: the JupyterLite addon and its parts."""
