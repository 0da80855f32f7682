"""The test suite, a package: benchmarks reuse its fixtures as ``tests.cifar_fixtures``."""
