//! The positions of a list in sorted order: one small merge sort shared by the JSON writer (an
//! object's members in key order) and the rate limiter (a log's entries in time order). The
//! standard library's sorts, made for each element type, cost about 4 KB of wasm each
//! (BENCHMARKS.md, "Browser module size" and "Worker size").

/// The positions `0..len` ordered by `in_order(a, b)` ("position `a` may come before position
/// `b`"), positions that compare equal in their input order: a bottom-up merge sort of positions.
pub fn sorted_positions(len: usize, in_order: &dyn Fn(usize, usize) -> bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    let mut merged = order.clone();
    let mut width = 1;
    while width < len {
        for start in (0..len).step_by(2 * width) {
            let (mid, end) = ((start + width).min(len), (start + 2 * width).min(len));
            let (mut left, mut right) = (start, mid);
            for slot in &mut merged[start..end] {
                let from_left = right == end || (left < mid && in_order(order[left], order[right]));
                let from = if from_left { &mut left } else { &mut right };
                *slot = order[*from];
                *from += 1;
            }
        }
        std::mem::swap(&mut order, &mut merged);
        width *= 2;
    }
    order
}

#[cfg(test)]
mod tests {
    use super::sorted_positions;

    #[test]
    fn is_the_stable_sort_of_the_keys() {
        for len in 0..40usize {
            // Keys with many repeats, in a scrambled order.
            let keys: Vec<usize> = (0..len).map(|i| (i * 7919 + 13) % 11).collect();
            let mut want: Vec<usize> = (0..len).collect();
            want.sort_by_key(|&i| keys[i]);
            assert_eq!(sorted_positions(len, &|a, b| keys[a] <= keys[b]), want, "{len} positions");
        }
    }
}
