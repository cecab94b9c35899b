//! Class breaks for choropleths: equal interval, rounded equal interval (端数処理), quantile,
//! natural breaks, standard deviation and manual. Natural breaks are computed exactly with
//! ckmeans (Wang & Song 2011): the optimal 1-D k-means by dynamic programming, with the
//! divide-and-conquer row fill that makes it O(k·n·log n), so 300k values take well under a
//! second. Ties resolve to the smallest split, so the same data always gives the same breaks.
//!
//! Breaks are `k + 1` ascending edges `[min, e1, …, max]`; class `i` holds values in
//! `(edges[i], edges[i+1]]`, the first class also its lower edge.

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Method {
    EqualInterval,
    RoundedInterval,
    Quantile,
    NaturalBreaks,
    StdDev,
    Manual,
}

impl Method {
    pub const ALL: [Method; 6] = [
        Method::NaturalBreaks,
        Method::EqualInterval,
        Method::RoundedInterval,
        Method::Quantile,
        Method::StdDev,
        Method::Manual,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Method::EqualInterval => "等間隔",
            Method::RoundedInterval => "等間隔（端数処理）",
            Method::Quantile => "分位数（等量）",
            Method::NaturalBreaks => "自然分類（Jenks）",
            Method::StdDev => "標準偏差",
            Method::Manual => "手動",
        }
    }
}

/// The default number of classes.
pub const DEFAULT_CLASSES: usize = 5;

/// Computes breaks for `values` (NaN ignored). `manual` is used for [`Method::Manual`].
/// Returns fewer classes when there are fewer distinct values than `k`.
pub fn breaks(values: &[f64], k: usize, method: Method, manual: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let k = k.max(1);
    let (Some(&min), Some(&max)) = (v.first(), v.last()) else {
        return vec![];
    };
    if min == max {
        return vec![min, max];
    }
    match method {
        Method::EqualInterval => (0..=k)
            .map(|i| {
                if i == k {
                    max
                } else {
                    min + (max - min) * i as f64 / k as f64
                }
            })
            .collect(),
        Method::RoundedInterval => rounded(min, max, k),
        Method::Quantile => {
            let mut e = vec![min];
            for i in 1..k {
                let q = v[((v.len() * i) / k).min(v.len() - 1)];
                if q > *e.last().unwrap_or(&min) && q < max {
                    e.push(q);
                }
            }
            e.push(max);
            e
        }
        Method::NaturalBreaks => ckmeans_breaks(&v, k),
        Method::StdDev => {
            let n = v.len() as f64;
            let mean = v.iter().sum::<f64>() / n;
            let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
            let mut e = vec![min];
            for i in 1..k {
                let edge = mean + (i as f64 - k as f64 / 2.0) * sd;
                if edge > *e.last().unwrap_or(&min) && edge < max {
                    e.push(edge);
                }
            }
            e.push(max);
            e
        }
        Method::Manual => {
            let mut e: Vec<f64> = manual.iter().copied().filter(|x| x.is_finite()).collect();
            e.sort_by(f64::total_cmp);
            e.dedup();
            if e.len() < 2 { vec![min, max] } else { e }
        }
    }
}

/// Equal intervals on a "nice" step (1, 2, 2.5 or 5 × 10ⁿ) from a rounded start.
fn rounded(min: f64, max: f64, k: usize) -> Vec<f64> {
    let raw = (max - min) / k as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw - 1e-12)
        .unwrap_or(10.0 * mag);
    let start = (min / step).floor() * step;
    let mut e: Vec<f64> = (0..=k).map(|i| start + step * i as f64).collect();
    // Clean binary noise (0.30000000000000004).
    for x in e.iter_mut() {
        *x = (*x / mag * 1e6).round() / 1e6 * mag;
    }
    while e.len() > 2 && e[e.len() - 2] >= max {
        e.pop();
    }
    if let Some(last) = e.last_mut()
        && *last < max
    {
        *last = max;
    }
    e
}

/// The class of `x` (0-based) under `edges`; `None` outside them.
pub fn classify(x: f64, edges: &[f64]) -> Option<usize> {
    if edges.len() < 2 || !x.is_finite() || x < edges[0] || x > edges[edges.len() - 1] {
        return None;
    }
    Some(
        edges[1..]
            .iter()
            .position(|&e| x <= e)
            .unwrap_or(edges.len() - 2),
    )
}

/// Optimal k-means clusters of sorted `v`: the start index of each cluster.
pub fn ckmeans(v: &[f64], k: usize) -> Vec<usize> {
    let n = v.len();
    let distinct = 1 + v.windows(2).filter(|w| w[0] != w[1]).count();
    let k = k.min(distinct).max(1);
    // Centre the data for numerical stability of the prefix sums.
    let shift = v[n / 2];
    let mut s1 = vec![0.0; n + 1];
    let mut s2 = vec![0.0; n + 1];
    for (i, x) in v.iter().enumerate() {
        let d = x - shift;
        s1[i + 1] = s1[i] + d;
        s2[i + 1] = s2[i] + d * d;
    }
    // Sum of squared deviations of v[j..=i].
    let ssq = |j: usize, i: usize| -> f64 {
        let m = (i - j + 1) as f64;
        let s = s1[i + 1] - s1[j];
        (s2[i + 1] - s2[j] - s * s / m).max(0.0)
    };
    let mut d = vec![vec![0.0; n]; k];
    let mut b = vec![vec![0usize; n]; k];
    for i in 0..n {
        d[0][i] = ssq(0, i);
    }
    for q in 1..k {
        let (prev, cur) = d.split_at_mut(q);
        fill_row(
            q,
            q,
            n - 1,
            q,
            n - 1,
            &prev[q - 1],
            &mut cur[0],
            &mut b[q],
            &ssq,
        );
    }
    let mut starts = vec![0usize; k];
    let mut i = n - 1;
    for q in (0..k).rev() {
        let j = if q == 0 { 0 } else { b[q][i] };
        starts[q] = j;
        if q > 0 {
            i = j - 1;
        }
    }
    starts
}

/// Fills `cur[imin..=imax]` knowing the optimal split for those lies in `jmin..=jmax`.
#[allow(clippy::too_many_arguments)]
fn fill_row(
    q: usize,
    imin: usize,
    imax: usize,
    jmin: usize,
    jmax: usize,
    prev: &[f64],
    cur: &mut [f64],
    b: &mut [usize],
    ssq: &dyn Fn(usize, usize) -> f64,
) {
    if imin > imax {
        return;
    }
    let i = imin + (imax - imin) / 2;
    let lo = jmin.max(q);
    let hi = jmax.min(i);
    let mut best = f64::INFINITY;
    let mut arg = lo;
    for j in lo..=hi {
        let c = prev[j - 1] + ssq(j, i);
        if c < best {
            best = c;
            arg = j;
        }
    }
    cur[i] = best;
    b[i] = arg;
    if i > imin {
        fill_row(q, imin, i - 1, jmin, arg, prev, cur, b, ssq);
    }
    fill_row(q, i + 1, imax, arg, jmax, prev, cur, b, ssq);
}

fn ckmeans_breaks(v: &[f64], k: usize) -> Vec<f64> {
    let starts = ckmeans(v, k);
    let mut e = vec![v[0]];
    for &s in &starts[1..] {
        e.push(v[s - 1]);
    }
    e.push(v[v.len() - 1]);
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total_ssq(v: &[f64], starts: &[usize]) -> f64 {
        let mut t = 0.0;
        for (c, &s) in starts.iter().enumerate() {
            let e = starts.get(c + 1).copied().unwrap_or(v.len());
            let part = &v[s..e];
            let m = part.iter().sum::<f64>() / part.len() as f64;
            t += part.iter().map(|x| (x - m).powi(2)).sum::<f64>();
        }
        t
    }

    #[test]
    fn natural_breaks_equal_an_exhaustive_search() {
        // Several pseudo-random data sets of 30 values; every 3-class split is tried.
        let mut seed = 12345u64;
        for _ in 0..20 {
            let mut v: Vec<f64> = (0..30)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((seed >> 33) % 1000) as f64 / 10.0
                })
                .collect();
            v.sort_by(f64::total_cmp);
            let mut best = f64::INFINITY;
            for a in 1..29 {
                for b in a + 1..30 {
                    best = best.min(total_ssq(&v, &[0, a, b]));
                }
            }
            let got = total_ssq(&v, &ckmeans(&v, 3));
            assert!(
                (got - best).abs() < 1e-9 * best.max(1.0),
                "ckmeans {got} vs exhaustive {best}"
            );
        }
        // And 4 classes of 14 values.
        let v: Vec<f64> = vec![
            1.0, 1.5, 2.0, 7.0, 7.2, 7.9, 12.0, 13.0, 13.5, 30.0, 31.0, 31.5, 32.0, 50.0,
        ];
        let mut best = f64::INFINITY;
        for a in 1..14 {
            for b in a + 1..14 {
                for c in b + 1..14 {
                    best = best.min(total_ssq(&v, &[0, a, b, c]));
                }
            }
        }
        assert!((total_ssq(&v, &ckmeans(&v, 4)) - best).abs() < 1e-9);
        assert_eq!(
            breaks(&v, 4, Method::NaturalBreaks, &[]),
            vec![1.0, 2.0, 13.5, 32.0, 50.0]
        );
    }

    #[test]
    fn natural_breaks_are_deterministic_with_ties() {
        let v = [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0];
        let a = breaks(&v, 2, Method::NaturalBreaks, &[]);
        for _ in 0..5 {
            assert_eq!(breaks(&v, 2, Method::NaturalBreaks, &[]), a);
        }
        // Fewer distinct values than classes: as many classes as values.
        assert_eq!(
            breaks(&[5.0, 5.0, 6.0], 5, Method::NaturalBreaks, &[]),
            vec![5.0, 5.0, 6.0]
        );
    }

    #[test]
    fn other_methods() {
        let v: Vec<f64> = (0..=100).map(|i| i as f64 / 100.0 * 0.37 + 0.21).collect(); // 0.21–0.58
        assert_eq!(breaks(&v, 5, Method::EqualInterval, &[]).len(), 6);
        let r = breaks(&v, 5, Method::RoundedInterval, &[]);
        assert_eq!(r[0], 0.2);
        assert!(r.windows(2).all(|w| w[1] > w[0]));
        assert!((r[1] - 0.3).abs() < 1e-12, "{r:?}");
        assert!((*r.last().unwrap() - 0.6).abs() < 1e-12, "{r:?}");
        let q = breaks(&v, 4, Method::Quantile, &[]);
        assert_eq!(q.len(), 5);
        for c in 0..4 {
            let n = v.iter().filter(|&&x| classify(x, &q) == Some(c)).count();
            assert!((24..=27).contains(&n), "class {c} has {n}");
        }
        let s = breaks(&v, 5, Method::StdDev, &[]);
        assert!(s.len() >= 3 && s.windows(2).all(|w| w[1] > w[0]), "{s:?}");
        assert_eq!(
            breaks(&v, 5, Method::Manual, &[0.5, 0.2, 0.3]),
            vec![0.2, 0.3, 0.5]
        );
        assert_eq!(classify(0.21, &[0.21, 0.3, 0.58]), Some(0));
        assert_eq!(classify(0.3, &[0.21, 0.3, 0.58]), Some(0));
        assert_eq!(classify(0.31, &[0.21, 0.3, 0.58]), Some(1));
        assert_eq!(classify(0.6, &[0.21, 0.3, 0.58]), None);
    }
}
