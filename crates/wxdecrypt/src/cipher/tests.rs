//! Unit tests of the padding verdict: every valid pad length, every wrong pad
//! byte, the announced length, and buffers too short or misaligned.

use super::*;

fn block_ending_with(tail: &[u8]) -> Vec<u8> {
    let mut buf = vec![b'x'; 32 - tail.len()];
    buf.extend_from_slice(tail);
    buf
}

#[test]
fn every_valid_pad_length_is_removed() {
    for pad in 1..=16u8 {
        let buf = block_ending_with(&vec![pad; usize::from(pad)]);
        assert_eq!(unpad(&buf), Ok(32 - usize::from(pad)), "pad {pad}");
    }
}

#[test]
fn pad_byte_zero_is_rejected() {
    assert_eq!(unpad(&block_ending_with(&[0])), Err(BadPadding));
}

#[test]
fn pad_byte_above_block_size_is_rejected() {
    for pad in 17..=255u8 {
        assert_eq!(
            unpad(&block_ending_with(&[pad])),
            Err(BadPadding),
            "pad {pad}"
        );
    }
    assert_eq!(unpad(&[17u8; 32]), Err(BadPadding));
}

#[test]
fn one_wrong_pad_byte_anywhere_is_rejected() {
    for pad in 2..=16u8 {
        for wrong in 1..usize::from(pad) {
            let mut tail = vec![pad; usize::from(pad)];
            let at = tail.len() - 1 - wrong;
            tail[at] ^= 0x01;
            assert_eq!(
                unpad(&block_ending_with(&tail)),
                Err(BadPadding),
                "pad {pad}, wrong byte {wrong} from the end"
            );
        }
    }
}

#[test]
fn bytes_before_the_pad_may_equal_the_pad_byte() {
    let buf = block_ending_with(&[3, 3, 3, 3]);
    assert_eq!(unpad(&buf), Ok(29));
}

#[test]
fn announced_len_equals_unpad_on_valid_padding_and_stays_in_the_last_block() {
    for last in 0..=255u8 {
        let block = block_ending_with(&[last]);
        let len = announced_len(&block);
        if let Ok(unpadded) = unpad(&block) {
            assert_eq!(len, unpadded, "last byte {last}");
        }
        assert!((BLOCK..2 * BLOCK).contains(&len), "last byte {last}: {len}");
    }
    assert_eq!(announced_len(&[]), 0);
}

#[test]
fn short_or_misaligned_buffers_are_rejected_without_panic() {
    assert_eq!(unpad(&[]), Err(BadPadding));
    assert_eq!(unpad(&[1; 15]), Err(BadPadding));
    let mut odd = [1u8; 17];
    assert_eq!(
        decrypt_in_place(&[0; 16], &[0; 16], &mut odd),
        Err(BadPadding)
    );
    assert_eq!(
        decrypt_in_place(&[0; 16], &[0; 16], &mut []),
        Err(BadPadding)
    );
}

/// The padding verdict written the obvious way, with branches and indexing.
fn reference(block: &[u8; 16]) -> bool {
    let pad = usize::from(block[15]);
    (1..=16).contains(&pad) && block[16 - pad..].iter().all(|&b| usize::from(b) == pad)
}

/// The verdict against a plain reference: every last byte, with the rest
/// of the block equal to it (so that only the pad length decides), and
/// with one or two bytes of it changed (two problems must not cancel).
#[test]
fn the_verdict_matches_a_plain_reference_with_one_or_two_damaged_bytes() {
    for last in 0..=255u8 {
        let block = [last; 16];
        assert_eq!(padding_is_valid(&block), reference(&block), "{last}");
        for i in 0..15 {
            for j in i..15 {
                let mut damaged = block;
                damaged[i] ^= 0x01;
                damaged[j] ^= 0x40;
                assert_eq!(
                    padding_is_valid(&damaged),
                    reference(&damaged),
                    "{last}: {i} and {j}"
                );
            }
        }
    }
}

/// Every pad byte, with every value at every place of the rest of the
/// block: the word-at-a-time verdict must see each byte whole (a value
/// that differs from the pad only in its high bit, or in both halves of
/// the word) and exactly at the places the pad length covers.
#[test]
fn the_verdict_matches_a_plain_reference_for_every_byte_at_every_place() {
    for last in 0..=255u8 {
        for place in 0..15 {
            for value in 0..=255u8 {
                let mut block = [last; 16];
                block[place] = value;
                assert_eq!(
                    padding_is_valid(&block),
                    reference(&block),
                    "{last}: {value} at {place}"
                );
            }
        }
    }
}

/// `last_block` reads the last 16 bytes, the first of them lowest, and
/// nothing from a buffer shorter than a block.
#[test]
fn the_last_block_is_read_from_the_end_in_order() {
    let buf: Vec<u8> = (0..40).collect();
    let block_at = |at: usize| {
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&buf[at..at + 16]);
        u128::from_le_bytes(bytes)
    };
    assert_eq!(last_block(&buf), Some(block_at(24)));
    assert_eq!(
        last_block(&buf),
        Some(0x2726_2524_2322_2120_1f1e_1d1c_1b1a_1918)
    );
    assert_eq!(last_block(&buf[..16]), Some(block_at(0)));
    assert_eq!(last_block(&buf[..15]), None);
    assert_eq!(last_block(&[]), None);
}
