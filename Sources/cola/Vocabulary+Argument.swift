import ArgumentParser
import ColaModel
import ColaStandIns

// Options take the config file's names (`cola bench train --encoder cnn --convolution direct`),
// parsed and listed in `--help` by the argument parser.
extension EncoderKind: ExpressibleByArgument {}
extension ConvolutionChoice: ExpressibleByArgument {}
extension StandInSize: ExpressibleByArgument {}
