import ArgumentParser
import ColaModel

extension ConvolutionChoice: ExpressibleByArgument {}
