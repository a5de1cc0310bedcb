use super::*;

/// Round numbers, checked by hand below.
fn inputs() -> TcoInputs {
    TcoInputs {
        horizon_months: 3,
        monthly_growth: 0.5,
        peak_to_mean: 2.0,
        engineering_usd_per_hour: 100.0,
        api: Engineering {
            integration_hours: 10.0,
            upkeep_hours_per_month: 2.0,
        },
        gateway_usd_per_month: 50.0,
        self_hosted: Engineering {
            integration_hours: 100.0,
            upkeep_hours_per_month: 20.0,
        },
        tokens_per_s_per_gpu: 1000.0,
        utilisation_target: 0.5,
        spare_replicas: 1,
        gpu: GpuCost::Rent { usd_per_hour: 2.0 },
        replica_availability: 0.99,
        operations_usd_per_month: 1000.0,
    }
}

/// 2.592M requests a month of 100 output tokens: a mean of exactly 100 output
/// tokens/s (2.592e6 * 100 / 2.592e6 s).
fn volume() -> Volume {
    Volume {
        requests_per_month: 2_592_000.0,
        input_tokens: 300.0,
        output_tokens: 100.0,
        api_usd_per_request: 0.001,
        api_fixed_usd_per_month: 0.0,
    }
}

#[test]
fn gpu_costs_per_month() {
    assert_eq!(GpuCost::Rent { usd_per_hour: 2.0 }.per_gpu_month(), 1440.0);
    let own = GpuCost::Own {
        purchase_usd: 36_000.0,
        amortisation_months: 36.0,
        power_kw: 1.0,
        pue: 1.5,
        usd_per_kwh: 0.1,
    };
    // 1,000 amortised + 1 kW * 1.5 * 720 h * $0.10 = 108.
    assert!((own.per_gpu_month() - 1108.0).abs() < 1e-9);
}

#[test]
fn month_by_month_by_hand() {
    let r = tco(&inputs(), &volume());
    // Month 1: 2.592M requests * $0.001 = 2,592; + gateway 50 + upkeep 200 +
    // integration 1,000 = 3,842. Peak 200 tokens/s over 500 per GPU: 1 GPU + 1
    // spare = 2 * 1,440 = 2,880; + ops 1,000 + upkeep 2,000 + integration 10,000.
    let m1 = &r.months[0];
    assert!((m1.api_usd - 3842.0).abs() < 1e-9, "{}", m1.api_usd);
    assert_eq!(m1.gpus, 2);
    assert!((m1.self_hosted_usd - 15_880.0).abs() < 1e-9);
    // Month 3: volume * 2.25 = 5.832M requests: API 5,832 + 250 = 6,082; peak
    // 450 tokens/s still fits one GPU: 2,880 + 3,000 = 5,880.
    let m3 = &r.months[2];
    assert!((m3.requests - 5_832_000.0).abs() < 1e-6);
    assert!((m3.api_usd - 6082.0).abs() < 1e-9);
    assert!((m3.self_hosted_usd - 5880.0).abs() < 1e-9);
    // Month 2: 3.888M requests: API 3,888 + 250 = 4,138; self 5,880.
    // Cumulative: API 3,842 + 4,138 + 6,082 = 14,062; self 15,880 + 5,880 * 2 = 27,640.
    assert!((r.api_total_usd - 14_062.0).abs() < 1e-9);
    assert!((r.self_hosted_total_usd - 27_640.0).abs() < 1e-9);
    assert_eq!(r.break_even_month, None);
    // 1 needed of 2: 1 - 0.01² = 0.9999.
    assert!((m1.self_hosted_availability - 0.9999).abs() < 1e-12);
}

#[test]
fn break_even_volume_by_hand() {
    // Steady API cost: 250 + 30 * 0.001 / 400 * V = 250 + 7.5e-5 V.
    // One GPU carries 1000 * 0.5 / 2 = 250 output tokens/s = 21.6M output tokens/day,
    // i.e. 86.4M total tokens/day. Self-hosted with one GPU (+1 spare):
    // 1,000 + 2,000 + 2,880 = 5,880 => V = (5,880 - 250) / 7.5e-5 = 75.0667M, inside
    // the first GPU's range.
    let v = break_even_tokens_per_day(&inputs(), &volume()).expect("breaks even");
    assert!((v - 5630.0 / 7.5e-5).abs() < 1e-3, "{v}");
}

#[test]
fn break_even_on_a_step_boundary_and_never() {
    let mut i = inputs();
    // Cheap API: 1e-7 per request, GPUs cost more per block than the API ever does.
    let mut v = volume();
    v.api_usd_per_request = 1e-7;
    assert_eq!(break_even_tokens_per_day(&i, &v), None);
    // Expensive API: already above the self-hosted cost at the first GPU.
    i.operations_usd_per_month = 0.0;
    i.self_hosted.upkeep_hours_per_month = 0.0;
    v.api_usd_per_request = 1.0;
    v.api_fixed_usd_per_month = 10_000.0;
    assert_eq!(break_even_tokens_per_day(&i, &v), Some(0.0));
}

#[test]
fn k_of_n_by_hand() {
    // 2 of 3 at 0.99: 3 * 0.99² * 0.01 + 0.99³ = 0.999702.
    assert!((k_of_n(2, 3, 0.99) - 0.999_702).abs() < 1e-12);
    assert_eq!(k_of_n(0, 3, 0.5), 1.0);
    assert_eq!(k_of_n(4, 3, 0.99), 0.0);
    assert!((k_of_n(3, 3, 0.9) - 0.729).abs() < 1e-12);
}

#[test]
fn gpus_follow_the_peak() {
    let i = inputs();
    // Peak = 2 * mean; a GPU plans for 500 tokens/s.
    assert_eq!(gpus_needed(&i, 250.0), 1);
    assert_eq!(gpus_needed(&i, 250.1), 2);
    assert_eq!(gpus_needed(&i, 0.0), 1, "never fewer than one");
}
