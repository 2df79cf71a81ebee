// NetworkLab: namespaces for tests.
