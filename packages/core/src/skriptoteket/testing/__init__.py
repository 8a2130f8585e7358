"""Test support shipped with core (install ``skriptoteket[testing]``): contract suites that every
adapter runs, fakes, and the service switches the test command uses."""
