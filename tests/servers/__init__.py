"""Real mail servers (Debian packages) started by the tests in folders of their own."""
