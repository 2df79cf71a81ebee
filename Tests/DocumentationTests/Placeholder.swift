// Tests for issue 8 land here.
