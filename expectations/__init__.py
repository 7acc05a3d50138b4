"""Great Expectations suites per stage and entity (<stage>/<entity>.json): a package so that a wheel carries them."""
