package io.mooring.api;

import java.util.List;

/** One page of a listing: the items, the total number of matches, and where the page starts. */
public record Page<T>(List<T> items, long total, int offset, int limit) {
    public Page {
        items = List.copyOf(items);
    }
}
