//! Runs one scenario N times, for instruction counting under valgrind
//! (`bench/instr.sh` runs it at two N and divides the difference).
//!
//! `instr list` prints the scenarios; `instr INDEX N` runs scenario INDEX N times
//! (after 50 warm-up requests).

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut scenarios = rampart_bench::scenarios();
    if args.get(1).map(String::as_str) == Some("list") {
        for (i, s) in scenarios.iter().enumerate() {
            println!("{i}\t{}\t{}", s.group, s.name);
        }
        return;
    }
    let idx: usize = args[1].parse().expect("scenario index");
    let n: usize = args[2].parse().expect("iterations");
    let s = &mut scenarios[idx];
    for _ in 0..50 {
        drop(rampart_bench::run(&mut s.router, (s.make_req)()));
    }
    for _ in 0..n {
        let req = (s.make_req)();
        drop(rampart_bench::run(&mut s.router, req));
    }
}
