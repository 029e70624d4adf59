//! Hidden support code, not API: the runtime path of `#[oidc_client]`'s
//! output (`__private`), hooks for the benchmark crate (`__bench`) and the
//! fuzz targets (`__fuzz`), and the test signer of the unit tests.

#[cfg(feature = "bench")]
pub mod bench;
#[cfg(feature = "fuzzing")]
pub mod fuzz;
pub mod private;
#[cfg(test)]
pub(crate) mod test_signer;
