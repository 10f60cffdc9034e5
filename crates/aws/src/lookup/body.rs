//! Response bodies, checked before the SDK parses them: at most
//! `MAX_BODY_BYTES` (a bigger page would cost about twice its size in
//! memory), and not empty on success (an empty 200 would parse as "no events,
//! no NextToken" and end paging silently).

use aws_sdk_cloudtrail::config::interceptors::BeforeDeserializationInterceptorContextMut;
use aws_sdk_cloudtrail::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_cloudtrail::error::BoxError;
use aws_smithy_types::body::SdkBody;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The cap of one response body. A LookupEvents page holds at most 50
/// events of at most a few hundred KB each; 64 MiB leaves room for
/// escaping and oddities.
pub(super) const MAX_BODY_BYTES: usize = 64 << 20;

/// What was wrong with a response body (found in an SDK error's source chain).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BodyFault {
    TooLarge,
    Empty,
}

impl std::fmt::Display for BodyFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyFault::TooLarge => write!(
                f,
                "the response body is larger than {} MiB, the cap of one page",
                MAX_BODY_BYTES >> 20
            ),
            BodyFault::Empty => f.write_str("HTTP 200 with an empty body"),
        }
    }
}

impl std::error::Error for BodyFault {}

/// The fault in `err`'s source chain, if one of these checks raised it.
pub(super) fn fault_in(err: &(dyn std::error::Error + 'static)) -> Option<BodyFault> {
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(fault) = e.downcast_ref::<BodyFault>() {
            return Some(*fault);
        }
        if e.downcast_ref::<http_body_util::LengthLimitError>()
            .is_some()
        {
            return Some(BodyFault::TooLarge);
        }
        current = e.source();
    }
    None
}

#[derive(Debug)]
pub(super) struct BodyCheck;

impl Intercept for BodyCheck {
    fn name(&self) -> &'static str {
        "spitzel BodyCheck"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response_mut();
        let length = response
            .headers()
            .get("content-length")
            .and_then(|v| v.trim().parse::<u64>().ok());
        if response.status().is_success() && length == Some(0) {
            return Err(Box::new(BodyFault::Empty));
        }
        if length.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
            return Err(Box::new(BodyFault::TooLarge));
        }
        // Without (or despite) a Content-Length, stop reading at the cap;
        // and a success body without one (chunked) must not end empty.
        let success = response.status().is_success();
        let body = std::mem::replace(response.body_mut(), SdkBody::taken());
        let limited = http_body_util::Limited::new(body, MAX_BODY_BYTES);
        *response.body_mut() = SdkBody::from_body_1_x(NonEmpty {
            inner: limited,
            seen: !success,
        });
        Ok(())
    }
}

/// A body that fails with `BodyFault::Empty` when it ends before a byte
/// came (unless `seen` starts true).
struct NonEmpty<B> {
    inner: B,
    seen: bool,
}

impl<B> http_body::Body for NonEmpty<B>
where
    B: http_body::Body<Data = bytes::Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = bytes::Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<bytes::Bytes>, BoxError>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if frame.data_ref().is_some_and(|data| !data.is_empty()) {
                    this.seen = true;
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) if !this.seen => {
                this.seen = true;
                Poll::Ready(Some(Err(Box::new(BodyFault::Empty))))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.seen && self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}
