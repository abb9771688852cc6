//! Adaptive population Monte Carlo ABC (Lenormand, Jabot & Deffuant 2013, "Adaptive approximate
//! Bayesian computation for complex models", Computational Statistics 28: Algorithm 4), the
//! ABC-SMC scheme of a fit.
//!
//! Why this one: among the ABC-SMC schemes (Toni et al. 2009; Beaumont et al. 2009; Del Moral et
//! al. 2012) it is the one made for expensive individual-based models. Each generation costs a
//! fixed number of simulations (`particles - keep`), known before it starts, where the rejection
//! schemes of Toni and Beaumont simulate until enough particles fall under a preset tolerance (an
//! unknown cost, unbounded when the tolerance is too tight); the tolerance follows from the
//! simulations (the largest distance kept), and the stopping rule (the share of new particles
//! that beat the previous tolerance falls below `min_acceptance`) says when further generations
//! stop paying.
//!
//! The algorithm, in the fit's coordinates `z` (`ln x` for a log-uniform prior), where every
//! prior is uniform on a box:
//! 1. Generation 0: `particles` draws from the prior, simulated; the `keep` nearest are kept,
//!    with weight 1; the tolerance is the largest distance kept.
//! 2. Generation t: `particles - keep` new particles, each a kept particle drawn by weight and
//!    moved by a normal step of covariance twice the kept particles' weighted covariance
//!    (Beaumont et al. 2009), redrawn until inside the prior's box; each is simulated and
//!    weighted `1 / sum_j w_j N(z; z_j, 2 Sigma)` (the prior is constant). The acceptance is the
//!    share of new particles nearer than the previous tolerance. The kept and the new particles
//!    are pooled and the `keep` nearest kept (ties by age, then index); the tolerance is the
//!    largest distance kept.
//! 3. Stop after a generation whose acceptance is at most `min_acceptance`, or after
//!    `max_generations`.
//!
//! Everything is deterministic: the draws come from the design's SplitMix64 keyed by (seed,
//! generation), and the simulations of a generation are handed over as one batch whose results
//! come back in order, so the posterior does not depend on how many workers simulate them.
//! The module is pure: a caller simulates (a model run, or a toy model in tests).

use crate::design::SplitMix64;

/// How a fit searches.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AbcConfig {
    /// Particles simulated in generation 0 (`N`).
    pub particles: usize,
    /// Particles kept from each generation (`N_alpha`); each later generation simulates
    /// `particles - keep`.
    pub keep: usize,
    /// Stop once at most this share of a generation's new particles beats the previous
    /// tolerance.
    pub min_acceptance: f64,
    /// Most generations after generation 0.
    pub max_generations: u32,
    /// Seed of the proposals.
    pub seed: u64,
}

/// A point of the parameter space with its simulation.
#[derive(Clone, Debug, PartialEq)]
pub struct Particle {
    /// The fit's coordinates, one per parameter.
    pub z: Vec<f64>,
    /// Importance weight (not normalised).
    pub weight: f64,
    /// Distance of its simulation to the targets.
    pub distance: f64,
    /// What its simulation gave, one value per target (the caller's).
    pub outputs: Vec<f64>,
    /// The generation that simulated it.
    pub generation: u32,
}

/// One finished generation.
#[derive(Clone, Debug, PartialEq)]
pub struct Generation {
    /// Its index, from 0.
    pub index: u32,
    /// The particles simulated in it.
    pub proposed: Vec<Particle>,
    /// The particles kept after it: the current approximation of the posterior.
    pub kept: Vec<Particle>,
    /// The largest distance kept.
    pub tolerance: f64,
    /// Share of the new particles nearer than the previous tolerance (1 for generation 0).
    pub acceptance: f64,
}

impl Generation {
    /// Whether the search stops after this generation.
    pub fn last(&self, config: &AbcConfig) -> bool {
        (self.index > 0 && self.acceptance <= config.min_acceptance) || self.index >= config.max_generations
    }
}

/// The proposals of generation `index` after `previous` (none for generation 0), within
/// `bounds` (the prior's box in the fit's coordinates).
pub fn propose(
    config: &AbcConfig,
    bounds: &[(f64, f64)],
    index: u32,
    previous: Option<&Generation>,
) -> Vec<Vec<f64>> {
    let mut rng = SplitMix64::keyed(config.seed, 0xABC0_0000 + index as u64);
    let Some(previous) = previous else {
        return (0..config.particles)
            .map(|_| bounds.iter().map(|&(lo, hi)| lo + (hi - lo) * rng.unit()).collect())
            .collect();
    };
    let kernel = Kernel::of(&previous.kept, bounds);
    let total: f64 = previous.kept.iter().map(|p| p.weight).sum();
    (0..config.particles - config.keep)
        .map(|_| {
            // Redraw until inside the box; after many misses (a box far narrower than the
            // kernel), clamp the last draw so that the search never stalls.
            let mut z = Vec::new();
            for attempt in 0..1000 {
                let mut u = rng.unit() * total;
                let mut parent = &previous.kept[previous.kept.len() - 1];
                for p in &previous.kept {
                    if u < p.weight {
                        parent = p;
                        break;
                    }
                    u -= p.weight;
                }
                z = kernel.step(&parent.z, &mut rng);
                if inside(&z, bounds) {
                    break;
                }
                if attempt == 999 {
                    for (x, &(lo, hi)) in z.iter_mut().zip(bounds) {
                        *x = x.clamp(lo, hi);
                    }
                }
            }
            z
        })
        .collect()
}

/// Generation `index` from its simulated proposals: `results[i]` is (distance, outputs) of
/// `proposals[i]`.
pub fn advance(
    config: &AbcConfig,
    bounds: &[(f64, f64)],
    index: u32,
    previous: Option<&Generation>,
    proposals: Vec<Vec<f64>>,
    results: Vec<(f64, Vec<f64>)>,
) -> Generation {
    let weights: Vec<f64> = match previous {
        None => vec![1.0; proposals.len()],
        Some(g) => {
            let kernel = Kernel::of(&g.kept, bounds);
            let total: f64 = g.kept.iter().map(|p| p.weight).sum();
            proposals
                .iter()
                .map(|z| {
                    let density: f64 =
                        g.kept.iter().map(|p| p.weight / total * kernel.density(z, &p.z)).sum();
                    if density > 0.0 { 1.0 / density } else { 0.0 }
                })
                .collect()
        }
    };
    let proposed: Vec<Particle> = proposals
        .into_iter()
        .zip(results)
        .zip(weights)
        .map(|((z, (distance, outputs)), weight)| Particle {
            z,
            weight,
            distance,
            outputs,
            generation: index,
        })
        .collect();
    let acceptance = match previous {
        None => 1.0,
        Some(g) => {
            proposed.iter().filter(|p| p.distance < g.tolerance).count() as f64 / proposed.len().max(1) as f64
        }
    };
    let mut pool: Vec<Particle> = previous.map_or_else(Vec::new, |g| g.kept.clone());
    pool.extend(proposed.iter().cloned());
    // A NaN distance (a simulation that gave no value) sorts last; ties keep the pool's order
    // (older particles first, then by index): the sort is stable.
    pool.sort_by(|a, b| a.distance.total_cmp(&b.distance));
    pool.truncate(config.keep);
    let tolerance = pool.last().map_or(f64::INFINITY, |p| p.distance);
    Generation { index, proposed, kept: pool, tolerance, acceptance }
}

/// Whether `z` lies in the box.
fn inside(z: &[f64], bounds: &[(f64, f64)]) -> bool {
    z.iter().zip(bounds).all(|(&x, &(lo, hi))| x >= lo && x <= hi)
}

/// The perturbation kernel: a normal of covariance twice the kept particles' weighted
/// covariance, through its Cholesky factor.
struct Kernel {
    /// Lower-triangular `L` with `L L' = 2 Sigma`, row-major.
    chol: Vec<Vec<f64>>,
    /// `ln` of the normal's normalising constant: `-(k/2) ln 2 pi - sum ln L_ii`.
    log_norm: f64,
}

impl Kernel {
    fn of(kept: &[Particle], bounds: &[(f64, f64)]) -> Kernel {
        let k = bounds.len();
        let total: f64 = kept.iter().map(|p| p.weight).sum();
        let mean: Vec<f64> =
            (0..k).map(|i| kept.iter().map(|p| p.weight * p.z[i]).sum::<f64>() / total).collect();
        let mut cov = vec![vec![0.0; k]; k];
        for (i, row) in cov.iter_mut().enumerate() {
            for (j, c) in row.iter_mut().enumerate() {
                let s: f64 = kept.iter().map(|p| p.weight * (p.z[i] - mean[i]) * (p.z[j] - mean[j])).sum();
                *c = 2.0 * s / total;
            }
        }
        // A floor on each variance (a millionth of the prior's width squared) keeps the factor
        // defined when the kept particles coincide in a coordinate.
        for (i, &(lo, hi)) in bounds.iter().enumerate() {
            cov[i][i] += 1e-6 * (hi - lo) * (hi - lo);
        }
        let chol = cholesky(&cov);
        let log_norm = -(k as f64) / 2.0 * (2.0 * std::f64::consts::PI).ln()
            - (0..k).map(|i| chol[i][i].ln()).sum::<f64>();
        Kernel { chol, log_norm }
    }

    fn step(&self, from: &[f64], rng: &mut SplitMix64) -> Vec<f64> {
        let k = from.len();
        let e: Vec<f64> = (0..k).map(|_| normal(rng)).collect();
        (0..k).map(|i| from[i] + (0..=i).map(|j| self.chol[i][j] * e[j]).sum::<f64>()).collect()
    }

    fn density(&self, z: &[f64], centre: &[f64]) -> f64 {
        // Solve L y = z - centre; the exponent is -|y|^2 / 2.
        let k = z.len();
        let mut y = vec![0.0; k];
        for i in 0..k {
            let s: f64 = (0..i).map(|j| self.chol[i][j] * y[j]).sum();
            y[i] = (z[i] - centre[i] - s) / self.chol[i][i];
        }
        (self.log_norm - 0.5 * y.iter().map(|v| v * v).sum::<f64>()).exp()
    }
}

/// The Cholesky factor of a symmetric positive-definite matrix; a pivot that is not positive
/// (rounding) is raised to a tiny positive number.
fn cholesky(a: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let k = a.len();
    let mut l = vec![vec![0.0; k]; k];
    for i in 0..k {
        for j in 0..=i {
            let s: f64 = (0..j).map(|m| l[i][m] * l[j][m]).sum();
            if i == j {
                l[i][i] = (a[i][i] - s).max(1e-300).sqrt();
            } else {
                l[i][j] = (a[i][j] - s) / l[j][j];
            }
        }
    }
    l
}

/// A standard normal draw (Box-Muller; the second value is dropped to keep one draw per call).
fn normal(rng: &mut SplitMix64) -> f64 {
    let u1 = 1.0 - rng.unit();
    let u2 = rng.unit();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Weighted summaries of a set of particles in the fit's coordinates.
pub mod summary {
    use super::Particle;

    /// The weighted mean of coordinate `i` of `values(p)`.
    pub fn mean(particles: &[Particle], values: &dyn Fn(&Particle) -> f64) -> f64 {
        let total: f64 = particles.iter().map(|p| p.weight).sum();
        particles.iter().map(|p| p.weight * values(p)).sum::<f64>() / total
    }

    /// The weighted standard deviation.
    pub fn sd(particles: &[Particle], values: &dyn Fn(&Particle) -> f64) -> f64 {
        let m = mean(particles, values);
        let total: f64 = particles.iter().map(|p| p.weight).sum();
        (particles.iter().map(|p| p.weight * (values(p) - m).powi(2)).sum::<f64>() / total).sqrt()
    }

    /// The weighted `q`-quantile: the smallest value whose cumulative weight reaches `q`, with
    /// linear interpolation between neighbouring values.
    pub fn quantile(particles: &[Particle], values: &dyn Fn(&Particle) -> f64, q: f64) -> f64 {
        let mut v: Vec<(f64, f64)> = particles.iter().map(|p| (values(p), p.weight)).collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        let total: f64 = v.iter().map(|x| x.1).sum();
        if v.is_empty() || total <= 0.0 {
            return f64::NAN;
        }
        // The i-th value sits at the midpoint of its weight, (c_i - w_i / 2) / total.
        let mut c = 0.0;
        let mut points = Vec::with_capacity(v.len());
        for &(x, w) in &v {
            points.push(((c + w / 2.0) / total, x));
            c += w;
        }
        if q <= points[0].0 {
            return points[0].1;
        }
        for pair in points.windows(2) {
            let ((p0, x0), (p1, x1)) = (pair[0], pair[1]);
            if q <= p1 {
                return if p1 > p0 { x0 + (x1 - x0) * (q - p0) / (p1 - p0) } else { x1 };
            }
        }
        points[points.len() - 1].1
    }

    /// The weighted correlation of two functions of the particles.
    pub fn correlation(
        particles: &[Particle],
        a: &dyn Fn(&Particle) -> f64,
        b: &dyn Fn(&Particle) -> f64,
    ) -> f64 {
        let (ma, mb) = (mean(particles, a), mean(particles, b));
        let total: f64 = particles.iter().map(|p| p.weight).sum();
        let cov = particles.iter().map(|p| p.weight * (a(p) - ma) * (b(p) - mb)).sum::<f64>() / total;
        cov / (sd(particles, a) * sd(particles, b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy model: the output is `theta + noise`, the target 0.3, the prior uniform on [0, 1].
    fn fit(seed: u64) -> Generation {
        let config = AbcConfig { particles: 200, keep: 100, min_acceptance: 0.05, max_generations: 12, seed };
        let bounds = [(0.0, 1.0)];
        let mut previous: Option<Generation> = None;
        loop {
            let index = previous.as_ref().map_or(0, |g| g.index + 1);
            let proposals = propose(&config, &bounds, index, previous.as_ref());
            let mut noise = SplitMix64::keyed(seed, 7 + index as u64);
            let results = proposals
                .iter()
                .map(|z| {
                    let y = z[0] + 0.02 * normal(&mut noise);
                    ((y - 0.3).abs() / 0.02, vec![y])
                })
                .collect();
            let g = advance(&config, &bounds, index, previous.as_ref(), proposals, results);
            if g.last(&config) {
                return g;
            }
            previous = Some(g);
        }
    }

    #[test]
    fn the_posterior_narrows_around_the_truth() {
        let g = fit(11);
        let theta = |p: &Particle| p.z[0];
        let m = summary::mean(&g.kept, &theta);
        let (lo, hi) = (summary::quantile(&g.kept, &theta, 0.025), summary::quantile(&g.kept, &theta, 0.975));
        assert!((m - 0.3).abs() < 0.02, "posterior mean {m}");
        assert!(lo < 0.3 && 0.3 < hi && hi - lo < 0.2, "95% interval {lo} to {hi}");
        assert!(g.index >= 2, "stopped after generation {}", g.index);
        assert_eq!(fit(11), g);
    }

    #[test]
    fn the_kernel_density_integrates_to_one() {
        let kept: Vec<Particle> = (0..5)
            .map(|i| Particle {
                z: vec![i as f64 * 0.1, (i * i) as f64 * 0.05],
                weight: 1.0 + i as f64,
                distance: 0.0,
                outputs: vec![],
                generation: 0,
            })
            .collect();
        let k = Kernel::of(&kept, &[(0.0, 1.0), (0.0, 1.0)]);
        let h = 0.01;
        let mut total = 0.0;
        for i in -300..300 {
            for j in -300..300 {
                total += k.density(&[i as f64 * h, j as f64 * h], &[0.0, 0.0]) * h * h;
            }
        }
        assert!((total - 1.0).abs() < 1e-3, "{total}");
    }

    #[test]
    fn weighted_quantiles_interpolate() {
        let ps: Vec<Particle> = [1.0, 2.0, 3.0, 4.0]
            .iter()
            .map(|&x| Particle { z: vec![x], weight: 1.0, distance: 0.0, outputs: vec![], generation: 0 })
            .collect();
        let v = |p: &Particle| p.z[0];
        assert_eq!(summary::quantile(&ps, &v, 0.5), 2.5);
        assert_eq!(summary::quantile(&ps, &v, 0.0), 1.0);
        assert_eq!(summary::quantile(&ps, &v, 1.0), 4.0);
        assert!((summary::correlation(&ps, &v, &|p| -2.0 * p.z[0]) + 1.0).abs() < 1e-12);
    }
}
