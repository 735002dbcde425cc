package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/earshot-dev/earshot/sentiment"
)

// ParseLabels turns a column of labels into polarities, deciding the
// scheme from the whole column: words (neg/negative, neu/neutral,
// pos/positive); integers -1/0/1 when any is -1; 0/1/2 (0 negative,
// 1 neutral, 2 positive) when any is 2; 0/1 (negative/positive) otherwise;
// and decimal ratings, positive above threshold and negative below
// -threshold, when any value has a fraction.
func ParseLabels(col []string, threshold float64) ([]sentiment.Polarity, error) {
	if len(col) == 0 {
		return nil, fmt.Errorf("no labels")
	}
	out := make([]sentiment.Polarity, len(col))
	nums := make([]float64, len(col))
	words, numbers := 0, 0
	fraction, minusOne, two := false, false, false
	for i, raw := range col {
		s := strings.ToLower(strings.TrimSpace(raw))
		switch s {
		case "neg", "negative":
			out[i] = sentiment.Negative
			words++
			continue
		case "neu", "neutral", "none", "objective":
			out[i] = sentiment.Neutral
			words++
			continue
		case "pos", "positive":
			out[i] = sentiment.Positive
			words++
			continue
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("label %d: %q is not a label", i+1, raw)
		}
		nums[i] = v
		numbers++
		switch {
		case v != math.Trunc(v):
			fraction = true
		case v == -1:
			minusOne = true
		case v == 2:
			two = true
		}
	}
	if words > 0 && numbers > 0 {
		return nil, fmt.Errorf("labels mix words and numbers")
	}
	if numbers == 0 {
		return out, nil
	}
	for i, v := range nums {
		var p sentiment.Polarity
		switch {
		case fraction:
			switch {
			case v > threshold:
				p = sentiment.Positive
			case v < -threshold:
				p = sentiment.Negative
			}
		case minusOne && two:
			return nil, fmt.Errorf("labels mix -1 and 2: not -1/0/1 nor 0/1/2")
		case minusOne:
			if v < -1 || v > 1 {
				return nil, fmt.Errorf("label %d: %v is outside -1/0/1", i+1, v)
			}
			p = sentiment.Polarity(v)
		case two:
			if v < 0 || v > 2 {
				return nil, fmt.Errorf("label %d: %v is outside 0/1/2", i+1, v)
			}
			p = sentiment.Polarity(v - 1)
		default:
			switch v {
			case 0:
				p = sentiment.Negative
			case 1:
				p = sentiment.Positive
			default:
				return nil, fmt.Errorf("label %d: %v is not a label", i+1, v)
			}
		}
		out[i] = p
	}
	return out, nil
}
