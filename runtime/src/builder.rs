//! Calls and values that read well, as the AWS SDK for Rust's fluent builders do, written once
//! here for every generated type: a structure's builder (`FileInfo::builder().name("disk.vmdk")
//! … .build()?`) and a service's operations as methods of the handle a generated `Api` gives out
//! (`api.download_session().create(spec).client_token(token).send().await`). Generated code
//! lists the fields or the operations; the macros below write the types, methods and docs.

use std::fmt;

/// The future of a call through a generated `Api` (`api.item_file().list(item)`, or a request's
/// `.await`): boxed, `Send` and `'static`, so it can be kept, sent to another task or spawned.
pub type Call<T, E> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, E>> + Send + 'static>>;

/// Why a structure's builder could not build it: a required field was not set.
///
/// ```
/// # use vapi_runtime::BuildError;
/// let error = BuildError::missing("FileInfo", "name");
/// assert_eq!(error.field(), "name");
/// assert_eq!(error.to_string(), "cannot build `FileInfo`: the required field `name` is not set");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    structure: &'static str,
    field: &'static str,
}

impl BuildError {
    /// The error of a builder of `structure` whose required `field` was not set.
    pub const fn missing(structure: &'static str, field: &'static str) -> Self {
        BuildError { structure, field }
    }

    /// The Rust name of the structure (`FileInfo`).
    pub fn structure(&self) -> &'static str {
        self.structure
    }

    /// The Rust name of the required field that was not set (`name`).
    pub fn field(&self) -> &'static str {
        self.field
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot build `{}`: the required field `{}` is not set",
            self.structure, self.field
        )
    }
}

impl std::error::Error for BuildError {}

/// A structure's builder: generated code calls `__rt::builder!(FileInfo, FileInfoBuilder, build,
/// [name: __rt::String, size: i64], [checksum_info: FileChecksumInfo])` with the required
/// fields, then the optional ones with the type inside their `Option`; `build` is the name of
/// the finishing method (another one when a field is called `build`). It gives the structure
/// `builder()`, and the builder a setter per field taking `impl Into<T>` and `build()`, which
/// returns the structure or, when a required field is missing, a [`BuildError`] naming it
/// (with no required field, `build()` cannot fail and returns the structure).
#[doc(hidden)]
#[macro_export]
macro_rules! __vapi_builder {
    ($name:ident, $builder:ident, $build:ident, [], [$($o:ident: $ot:ty),* $(,)?]) => {
        $crate::__vapi_builder!(@parts $name, $builder, [], [$($o: $ot),*]);

        impl $builder {
            #[doc = concat!("The [`", stringify!($name), "`] with the fields set so far (every field \
                             is optional).")]
            #[inline]
            pub fn $build(self) -> $name {
                $name { $($o: self.$o),* }
            }
        }
    };
    ($name:ident, $builder:ident, $build:ident, [$($r:ident: $rt:ty),+ $(,)?], [$($o:ident: $ot:ty),* $(,)?]) => {
        $crate::__vapi_builder!(@parts $name, $builder, [$($r: $rt),+], [$($o: $ot),*]);

        impl $builder {
            #[doc = concat!("The [`", stringify!($name), "`] with the fields set so far.\n\n\
                             # Errors\n\n[`BuildError`](::vapi_runtime::BuildError) naming the \
                             first required field not set: ", $("`", stringify!($r), "` "),+)]
            #[inline]
            pub fn $build(self) -> ::core::result::Result<$name, $crate::BuildError> {
                ::core::result::Result::Ok($name {
                    $($r: match self.$r {
                        ::core::option::Option::Some(value) => value,
                        ::core::option::Option::None => {
                            return ::core::result::Result::Err($crate::BuildError::missing(
                                stringify!($name),
                                stringify!($r),
                            ))
                        }
                    },)+
                    $($o: self.$o,)*
                })
            }
        }
    };
    (@parts $name:ident, $builder:ident, [$($r:ident: $rt:ty),*], [$($o:ident: $ot:ty),*]) => {
        impl $name {
            #[doc = concat!("A [`", stringify!($builder), "`]: set the fields by name, then build.")]
            #[inline]
            pub fn builder() -> $builder {
                <$builder as ::core::default::Default>::default()
            }
        }

        #[doc = concat!("Builds a [`", stringify!($name), "`] field by field: `", stringify!($name),
                        "::builder()`, a method per field (taking anything that converts into its \
                         type), then `build`.")]
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::default::Default, ::core::cmp::PartialEq)]
        #[must_use = "a builder does nothing until it is built"]
        pub struct $builder {
            $($r: ::core::option::Option<$rt>,)*
            $($o: ::core::option::Option<$ot>,)*
        }

        impl $builder {
            $(
                #[doc = concat!("Sets the required [`", stringify!($r), "`](", stringify!($name), "::",
                                stringify!($r), ").")]
                pub fn $r(mut self, value: impl ::core::convert::Into<$rt>) -> Self {
                    self.$r = ::core::option::Option::Some(value.into());
                    self
                }
            )*
            $(
                #[doc = concat!("Sets the optional [`", stringify!($o), "`](", stringify!($name), "::",
                                stringify!($o), ").")]
                pub fn $o(mut self, value: impl ::core::convert::Into<$ot>) -> Self {
                    self.$o = ::core::option::Option::Some(value.into());
                    self
                }
            )*
        }
    };
}

/// A service's operations as methods, in the service's module beside its `Client`: generated
/// code calls `__rt::fluent!(DownloadSession { get(download_session_id: super::DownloadSessionId)
/// -> super::DownloadSessionModel, GetError; create(create_spec: super::DownloadSessionModel) ->
/// super::DownloadSessionId, CreateError [CreateRequest client_token: __rt::String]
/// (client_token, create_spec); })`: each operation with its required parameters, its result
/// and error, and, when it has optional parameters, the name of its request builder, the
/// optional parameters (the type inside their `Option`) and the order of all parameters.
///
/// It declares `Fluent`, what a generated `Api` hands out for the service, with one method per
/// operation: one without optional parameters returns the call, a [`Call`]
/// (`fluent.get(id).await`); one with them returns its request builder, a setter per optional
/// parameter, then `.send().await` (or `.await`). Required arguments are `impl Into<T>`. A call
/// is the `Client`'s trait method's own future (boxed and `'static`: it can be kept or
/// spawned; called through a private `__Calls` function per operation, not in the generic
/// method itself), and a request owns a clone of the `Client` (a connection handle); so inputs are
/// checked and calls retried and traced as any other, and no operation has a state machine of
/// its own.
#[doc(hidden)]
#[macro_export]
macro_rules! __vapi_fluent {
    ($service:ident {
        $($op:ident($($p:ident: $pt:ty),* $(,)?) -> $r:ty, $e:ident
            $([$b:ident $($o:ident: $ot:ty),*] ($($c:ident),*))?;)*
    }) => {
        #[doc = concat!("The operations of the [`", stringify!($service), "`](super::",
                        stringify!($service), ") service as methods: what the bindings' `Api` hands \
                        out, or `Fluent::from(connection)`. An operation without optional parameters is \
                        called at once (arguments take anything that converts into their type); one \
                        with them returns a request to set them on, then `.send().await`.")]
        #[derive(::core::fmt::Debug, ::core::clone::Clone)]
        pub struct Fluent(#[allow(dead_code)] Client);

        impl ::core::convert::From<Client> for Fluent {
            #[inline]
            fn from(client: Client) -> Self {
                Self(client)
            }
        }

        impl ::core::convert::From<$crate::client::Connection> for Fluent {
            #[inline]
            fn from(connection: $crate::client::Connection) -> Self {
                Self(Client::new(connection))
            }
        }

        // The calls of the operations without optional parameters, one plain function each
        // that calls the `Client`'s trait method: the generic `Fluent` methods only convert
        // their arguments and call these. (Resolving the trait's method and its future's type
        // inside each generic method cost the bindings crate about 3 % of its compile.) An
        // enum of its own, never a value: its functions' names, the operations', clash with
        // nothing.
        #[allow(dead_code)]
        enum __Calls {}

        impl Fluent {
            $($crate::__vapi_fluent!(@method $service $op($($p: $pt),*) -> $r, $e
                [$($b ($($c),*) $($o: $ot),*)?]);)*
        }

        $($crate::__vapi_fluent!(@request $service $op($($p: $pt),*) -> $r, $e
            [$($b ($($c),*) $($o: $ot),*)?]);)*
    };
    (@method $service:ident $op:ident($($p:ident: $pt:ty),*) -> $r:ty, $e:ident []) => {
        #[doc = concat!("Calls [`", stringify!($service), "::", stringify!($op), "`](super::",
                        stringify!($service), "::", stringify!($op), ").")]
        #[inline]
        pub fn $op(&self, $($p: impl ::core::convert::Into<$pt>),*) -> $crate::Call<$r, $e> {
            __Calls::$op(&self.0, $($p.into()),*)
        }
    };
    (@method $service:ident $op:ident($($p:ident: $pt:ty),*) -> $r:ty, $e:ident
        [$b:ident ($($c:ident),*) $($o:ident: $ot:ty),*]) => {
        #[doc = concat!("A call of [`", stringify!($service), "::", stringify!($op), "`](super::",
                        stringify!($service), "::", stringify!($op), "): set its optional parameters \
                        on the [`", stringify!($b), "`], then `.send().await`.")]
        #[inline]
        pub fn $op(&self, $($p: impl ::core::convert::Into<$pt>),*) -> $b {
            $b {
                __client: ::core::clone::Clone::clone(&self.0),
                $($p: $p.into(),)*
                $($o: ::core::option::Option::None,)*
            }
        }
    };
    (@request $service:ident $op:ident($($p:ident: $pt:ty),*) -> $r:ty, $e:ident []) => {
        impl __Calls {
            #[inline]
            fn $op(client: &Client, $($p: $pt),*) -> $crate::Call<$r, $e> {
                <Client as super::$service>::$op(client, $($p),*)
            }
        }
    };
    (@request $service:ident $op:ident($($p:ident: $pt:ty),*) -> $r:ty, $e:ident
        [$b:ident ($($c:ident),*) $($o:ident: $ot:ty),*]) => {
        #[doc = concat!("A call of [`", stringify!($service), "::", stringify!($op), "`](super::",
                        stringify!($service), "::", stringify!($op), ") with its required arguments: \
                        set optional parameters with the methods named after them, then \
                        [`send`](Self::send) it (or `.await` it).")]
        #[derive(::core::fmt::Debug, ::core::clone::Clone)]
        #[must_use = "a request does nothing until it is sent: `.send().await`"]
        pub struct $b {
            __client: Client,
            $($p: $pt,)*
            $($o: ::core::option::Option<$ot>,)*
        }

        impl $b {
            $(
                #[doc = concat!("Sets the optional parameter `", stringify!($o), "`.")]
                pub fn $o(mut self, value: impl ::core::convert::Into<$ot>) -> Self {
                    self.$o = ::core::option::Option::Some(value.into());
                    self
                }
            )*

            /// Makes the call.
            #[inline]
            pub fn send(self) -> $crate::Call<$r, $e> {
                let Self { __client, $($p,)* $($o,)* } = self;
                <Client as super::$service>::$op(&__client, $($c),*)
            }
        }

        impl ::core::future::IntoFuture for $b {
            type Output = ::core::result::Result<$r, $e>;
            type IntoFuture = $crate::Call<$r, $e>;

            #[inline]
            fn into_future(self) -> Self::IntoFuture {
                self.send()
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::BuildError;

    #[test]
    fn a_build_error_names_the_structure_and_the_field() {
        let e = BuildError::missing("FileInfo", "version");
        assert_eq!(
            e.to_string(),
            "cannot build `FileInfo`: the required field `version` is not set"
        );
        assert_eq!((e.structure(), e.field()), ("FileInfo", "version"));
    }
}
