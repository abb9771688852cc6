//! Dense columns declared once: [`dense_columns!`] turns the list of an agent kind's columns
//! (name, type, doc) into everything that must agree with it:
//!
//! - the structure of arrays (`Persons`, `Firms`: a `Vec` per column, plus any extra fields);
//! - a chunk's part of every column (`PersonsMut`, `FirmsMut`) and the parallel iteration over
//!   chunks that the day step uses ([`into_par_chunks`](crate::world::PersonsMut::into_par_chunks));
//!   the trace runs the same kernels on a one-agent chunk ([`split_mut`](crate::world::Persons::split_mut));
//! - one agent's values (`PersonRow`, `FirmRow`), which the trace records day by day and its
//!   exactness test compares with the run's columns;
//! - the bytes per agent (`BYTES`) that the memory preflight adds up;
//! - the order, names and types in which checkpoints save and restore the columns (`visit`,
//!   `LAYOUT`; a checkpoint of another layout is refused).
//!
//! Adding a column is one line in `world.rs` plus its use in a kernel.

/// A value type of a dense column: fixed width, saved little-endian.
pub trait Plain: Copy + Default + PartialEq + Send + Sync + std::fmt::Debug + 'static {
    /// Bytes per value.
    const BYTES: usize;
    /// Appends the value's little-endian bytes to `out`.
    fn put_le(self, out: &mut Vec<u8>);
    /// The value of `Self::BYTES` little-endian bytes.
    fn from_le(bytes: &[u8]) -> Self;
}

macro_rules! plain {
    ($($t:ty),*) => {$(
        impl Plain for $t {
            const BYTES: usize = std::mem::size_of::<$t>();
            #[inline]
            fn put_le(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            #[inline]
            fn from_le(bytes: &[u8]) -> Self {
                <$t>::from_le_bytes(bytes.try_into().expect("BYTES bytes"))
            }
        }
    )*};
}
plain!(u8, u16, i16, i32, f64);

/// What is done with each dense column in turn, by name (saving, counting bytes).
pub trait ColumnVisitor {
    /// What a visit can fail with.
    type Error;
    /// Visits one column.
    fn visit<T: Plain>(&mut self, name: &'static str, column: &[T]) -> Result<(), Self::Error>;
}

/// What is done with each dense column in turn, mutably (restoring).
pub trait ColumnVisitorMut {
    /// What a visit can fail with.
    type Error;
    /// Visits one column.
    fn visit<T: Plain>(&mut self, name: &'static str, column: &mut [T]) -> Result<(), Self::Error>;
}

/// Declares an agent kind's dense columns once; see the module documentation.
///
/// ```ignore
/// dense_columns! {
///     /// Docs of the struct.
///     pub struct Persons, chunk PersonsMut, row PersonRow {
///         /// Wealth in yuan.
///         wealth: i32,
///     }
///     extra {
///         /// Fields kept by hand (variable numbers of columns).
///         scores: Vec<Vec<i16>>,
///     }
/// }
/// ```
macro_rules! dense_columns {
    (
        $(#[$meta:meta])*
        pub struct $Name:ident, chunk $Mut:ident, row $Row:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty, )+
        }
        extra {
            $( $(#[$emeta:meta])* $efield:ident : $ety:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default)]
        pub struct $Name {
            $( $(#[$fmeta])* pub $field: Vec<$ty>, )+
            $( $(#[$emeta])* pub $efield: $ety, )*
        }

        #[doc = concat!("A chunk's part of each declared column of [`", stringify!($Name), "`].")]
        #[derive(Debug)]
        pub struct $Mut<'a> {
            $( $(#[$fmeta])* pub $field: &'a mut [$ty], )+
        }

        #[doc = concat!("One agent's values of the declared columns of [`", stringify!($Name), "`].")]
        #[derive(Clone, Copy, Debug, Default, PartialEq)]
        pub struct $Row {
            $( $(#[$fmeta])* pub $field: $ty, )+
        }

        impl $Name {
            /// Names of the declared columns, in order.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($field)),+];
            /// Bytes per agent of the declared columns.
            pub const BYTES: usize = 0 $(+ <$ty as $crate::columns::Plain>::BYTES)+;
            /// The declared columns as `name:type`, in order: saved with a checkpoint, which is
            /// refused by a build whose columns differ.
            pub const LAYOUT: &'static str = concat!($(stringify!($field), ":", stringify!($ty), " "),+);

            /// `n` agents, each with the values of `row` (extra fields at their default).
            pub fn filled(n: usize, row: $Row) -> Self {
                Self { $( $field: vec![row.$field; n], )+ ..Default::default() }
            }

            /// Number of agents.
            pub fn len(&self) -> usize {
                [$(self.$field.len()),+][0]
            }

            /// Whether there are no agents.
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// Agent `i`'s values of the declared columns.
            pub fn row(&self, i: usize) -> $Row {
                $Row { $( $field: self.$field[i], )+ }
            }

            /// All agents as one chunk of the declared columns, and the extra fields (so that a
            /// caller can cut both into chunks).
            pub fn split_mut(&mut self) -> ($Mut<'_>, $(&mut $ety,)*) {
                ($Mut { $( $field: &mut self.$field, )+ }, $(&mut self.$efield,)*)
            }

            /// Visits the declared columns in order.
            fn visit_declared<V: $crate::columns::ColumnVisitor>(&self, v: &mut V) -> Result<(), V::Error> {
                $( v.visit(stringify!($field), &self.$field)?; )+
                Ok(())
            }

            /// Visits the declared columns in order, mutably.
            fn visit_declared_mut<V: $crate::columns::ColumnVisitorMut>(
                &mut self,
                v: &mut V,
            ) -> Result<(), V::Error> {
                $( v.visit(stringify!($field), &mut self.$field)?; )+
                Ok(())
            }
        }

        impl $Row {
            /// Each declared column's name and value (as `f64`), in order: what a trace's table of
            /// daily states writes for a column it does not show in its own way.
            pub fn fields(&self) -> Vec<(&'static str, f64)> {
                vec![$((stringify!($field), self.$field as f64)),+]
            }
        }

        impl<'a> $Mut<'a> {
            /// Sets agent `i` of the chunk to `row`.
            pub fn set(&mut self, i: usize, row: $Row) {
                $( self.$field[i] = row.$field; )+
            }

            /// The chunk cut in chunks of `len` agents, in parallel, in id order.
            pub fn into_par_chunks(
                self,
                len: usize,
            ) -> impl rayon::iter::IndexedParallelIterator<Item = $Mut<'a>> {
                use rayon::prelude::*;
                ($(self.$field.par_chunks_mut(len),)+)
                    .into_par_iter()
                    .map(|($($field,)+)| $Mut { $($field,)+ })
            }

            /// Number of agents in the chunk.
            pub fn len(&self) -> usize {
                [$(self.$field.len()),+][0]
            }

            /// Whether the chunk is empty.
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }
        }
    };
}
