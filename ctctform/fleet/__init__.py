"""Partner fleets: many client accounts from one fleet file, concurrently and resumably."""
