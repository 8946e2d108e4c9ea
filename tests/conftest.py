"""Shared pytest configuration for confkg's tests."""


def pytest_configure(config):
    # Reasoner tests start a JVM (HermiT, about 1 s each); they run by default,
    # and `-m "not reasoner"` skips them for a quick loop.
    config.addinivalue_line(
        "markers",
        "reasoner: runs the HermiT OWL reasoner through owlready2 (needs Java)",
    )
