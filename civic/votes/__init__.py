"""Community votes with quorum validity: rules, frozen rolls, ballots, bulletin board, certificates."""
